//go:build race

package autodiff

// raceEnabled reports a -race build, whose instrumentation allocates: allocation tests
// skip then.
const raceEnabled = true
