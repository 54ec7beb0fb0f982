package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Uniform fills w with values drawn uniformly from [lo, hi), as torch.nn.init.uniform_.
func Uniform(w []float32, lo, hi float64, rng *rand.Rand) {
	for i := range w {
		w[i] = float32(lo + (hi-lo)*rng.Float64())
	}
}

// KaimingUniform fills w as torch.nn.init.kaiming_uniform_ with negative slope a, fan-in
// mode and the leaky-ReLU gain: uniformly in [−b, b] with b = √(6/((1 + a²)·fanIn)).
// PyTorch's default initialisation of Linear and Conv2d weights is a = √5, which gives
// b = 1/√fanIn.
func KaimingUniform(w []float32, fanIn int, a float64, rng *rand.Rand) {
	if fanIn < 1 {
		panic(fmt.Sprintf("nn: KaimingUniform with fan-in %d", fanIn))
	}
	gain := math.Sqrt(2 / (1 + a*a))
	b := math.Sqrt(3) * gain / math.Sqrt(float64(fanIn))
	Uniform(w, -b, b, rng)
}

// defaultInit initialises a layer's weight and bias as PyTorch's Linear and Conv2d
// reset_parameters: the weight by [KaimingUniform] with a = √5, then the bias uniformly in
// [−1/√fanIn, 1/√fanIn].
func defaultInit(weight, bias []float32, fanIn int, rng *rand.Rand) {
	KaimingUniform(weight, fanIn, math.Sqrt(5), rng)
	if bias != nil {
		b := 1 / math.Sqrt(float64(fanIn))
		Uniform(bias, -b, b, rng)
	}
}
