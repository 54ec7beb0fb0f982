//go:build !amd64 || noasm

package vec

func lookup(dst []float32, src []uint8, t *Table) { lookupGo(dst, src, t) }

// lookupImpl names the kernel of Lookup that runs: the Go twin.
func lookupImpl() string { return "go" }
