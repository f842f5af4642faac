"""What every platform adapter shares: the clock, pacing to the platforms' limits, the content
watcher, sending through a sender."""
