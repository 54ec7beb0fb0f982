//go:build race

package nn

// raceEnabled reports a -race build, whose instrumentation allocates: allocation tests
// skip then.
const raceEnabled = true
