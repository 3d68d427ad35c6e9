"""A realistic caseload written through the real vocabulary (`cpw simulate`): demos,
training, the census tests and the benchmarks."""
