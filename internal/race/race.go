//go:build race

// Package race reports whether the race detector is on: its instrumentation allocates, so
// tests that count allocations (testing.AllocsPerRun) skip under -race.
package race

// Enabled is true in a -race build.
const Enabled = true
