"""The conversation: commands, their handling, destination settings, answers' words."""
