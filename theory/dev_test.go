package theory

import (
	"context"
	"os"
	"strconv"
	"testing"
)

func TestDev(t *testing.T) {
	id := os.Getenv("CLAIM")
	if id == "" {
		t.Skip()
	}
	seed, _ := strconv.ParseUint(os.Getenv("SEED"), 10, 64)
	c, err := Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	o := Run(context.Background(), []Claim{c}, Config{Seed: seed, Quick: os.Getenv("QUICK") != ""})[0]
	t.Logf("%s %v %v err=%v", o.Claim.ID, o.Verdict, o.Elapsed, o.Err)
	for _, ch := range o.Checks {
		t.Logf("  %-80s obs=%.6g lim=%.6g margin=%.4g holds=%v lecture=%v  %s", ch.Name, ch.Observed, ch.Limit, ch.Margin, ch.Holds(), ch.Lecture, ch.Where)
	}
	for _, n := range o.Notes {
		t.Logf("  note: %s", n)
	}
}
