// Package repocheck holds tests of the repository as a whole: that it stands alone, naming
// no file outside itself. It has no code of its own.
package repocheck
