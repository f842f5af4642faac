"""The message model: neutral messages, their rendering to text, splitting, packing, links."""
