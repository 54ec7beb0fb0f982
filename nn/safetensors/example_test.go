package safetensors_test

import (
	"bytes"
	"fmt"

	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/safetensors"
	"github.com/descent-ml/descent/tensor"
)

// Tensors written and read back in memory: the header as the reference writer lays it out
// (I64 first, then by name, padded with spaces to 8 bytes), and a damaged copy refused.
func Example() {
	ts := []nn.NamedTensor{
		{Name: "weight", Tensor: tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)},
		{Name: "bias", Tensor: tensor.FromSlice([]float32{0.5, -0.5}, 2)},
		{Name: "num_batches_tracked", Tensor: tensor.FromSlice([]float32{3}), Int64: true},
	}
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, ts, map[string]string{"format": "pt"}); err != nil {
		panic(err)
	}
	b := buf.Bytes()
	fmt.Printf("%q\n", b[8:8+b[0]])

	got, meta, err := safetensors.Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		panic(err)
	}
	fmt.Println(meta)
	for _, t := range got {
		fmt.Println(t.Name, t.Tensor.Shape(), t.Tensor.Data(), t.Int64)
	}

	_, _, err = safetensors.Read(bytes.NewReader(b[:len(b)-4]), int64(len(b)-4))
	fmt.Println(err)
	// Output:
	// "{\"__metadata__\":{\"format\":\"pt\"},\"num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},\"bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},\"weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[16,40]}}   "
	// map[format:pt]
	// num_batches_tracked [] [3] true
	// bias [2] [0.5 -0.5] false
	// weight [2 3] [1 2 3 4 5 6] false
	// nn: weights: tensor "weight": data_offsets [16, 40] run past the data, which has 36 bytes
}
