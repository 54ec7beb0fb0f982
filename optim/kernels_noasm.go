//go:build noasm || !amd64

package optim

// Without assembly, the kernels are the pure-Go loops.

func allFinite(x []float32) bool                              { return allFiniteGo(x) }
func sgdStep(p, g, buf []float32, k *sgdCoef)                 { sgdStepGo(p, g, buf, k) }
func adamStep(p, g, m, v, vmax []float32, k *adamCoef)        { adamStepGo(p, g, m, v, vmax, k) }
func rmspropStep(v, g, sq, buf, ga []float32, k *rmspropCoef) { rmspropStepGo(v, g, sq, buf, ga, k) }
func adagradStep(v, g, s []float32, k *adagradCoef)           { adagradStepGo(v, g, s, k) }
func adadeltaStep(v, g, sq, acc []float32, k *adadeltaCoef)   { adadeltaStepGo(v, g, sq, acc, k) }
func adamaxStep(v, g, m, u []float32, k *adamaxCoef)          { adamaxStepGo(v, g, m, u, k) }
func nadamStep(v, g, m, s []float32, k *nadamCoef)            { nadamStepGo(v, g, m, s, k) }
func radamStep(v, g, m, s []float32, k *radamCoef)            { radamStepGo(v, g, m, s, k) }
