package npy_test

import (
	"bytes"
	"fmt"

	"github.com/descent-ml/descent/data/npy"
)

// Writing an array as numpy.save would, and reading it back.
func ExampleDecode() {
	var buf bytes.Buffer
	if err := npy.Encode(&buf, npy.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)); err != nil {
		panic(err)
	}
	a, err := npy.Decode(&buf)
	if err != nil {
		panic(err)
	}
	fmt.Println(a.Dtype, a.Shape, a.Float32s())
	// Output:
	// float32 [2 3] [1 2 3 4 5 6]
}
