package theory_test

import (
	"context"
	"fmt"

	"github.com/descent-ml/descent/theory"
)

// Run one claim of the catalogue, at the reduced size of the tests, and read its verdict
// and its worst check.
func ExampleRun() {
	c, err := theory.Lookup("sandwich")
	if err != nil {
		panic(err)
	}
	o := theory.Run(context.Background(), []theory.Claim{c}, theory.Config{Seed: 1, Quick: true})[0]
	w, _ := o.Worst()
	fmt.Println(o.Claim.ID, o.Claim.Kind, o.Verdict)
	fmt.Println(w.Name, w.Holds())
	fmt.Println(len(o.Figures), "figure")
	// Output:
	// sandwich theorem PASS
	// secant curvature ≤ L true
	// 1 figure
}

// An erratum: the lecture's statement fails on a counter-instance, the corrected form holds.
func ExampleErratumNote() {
	c, _ := theory.Lookup("adagrad-scale")
	o := theory.Run(context.Background(), []theory.Claim{c}, theory.Config{Seed: 1, Quick: true})[0]
	fmt.Println(o.Verdict)
	for _, ch := range o.Checks {
		fmt.Printf("lecture's form %-5v holds %v\n", ch.Lecture, ch.Holds())
	}
	// Output:
	// ERRATUM
	// lecture's form true  holds false
	// lecture's form false holds true
	// lecture's form false holds true
	// lecture's form false holds true
}
