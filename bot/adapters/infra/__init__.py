"""What every platform adapter shares: the descriptor protocol the composition root reads, the
clock, pacing to the platforms' limits, the content watcher, sending through a sender."""
