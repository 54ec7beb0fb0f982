//go:build noasm || !amd64

package optimk

// Without assembly, the kernels are the Go twins.

// impl names the kernels that run: the Go twins.
func impl() string { return "go" }

func allFinite(x []float32) bool                          { return allFiniteGo(x) }
func sgd(p, g, buf []float32, k *SGDCoef)                 { sgdGo(p, g, buf, k) }
func adam(p, g, m, v, vmax []float32, k *AdamCoef)        { adamGo(p, g, m, v, vmax, k) }
func rmsprop(v, g, sq, buf, ga []float32, k *RMSpropCoef) { rmspropGo(v, g, sq, buf, ga, k) }
func adagrad(v, g, s []float32, k *AdagradCoef)           { adagradGo(v, g, s, k) }
func adadelta(v, g, sq, acc []float32, k *AdadeltaCoef)   { adadeltaGo(v, g, sq, acc, k) }
func adamax(v, g, m, u []float32, k *AdamaxCoef)          { adamaxGo(v, g, m, u, k) }
func nadam(v, g, m, s []float32, k *NAdamCoef)            { nadamGo(v, g, m, s, k) }
func radam(v, g, m, s []float32, k *RAdamCoef)            { radamGo(v, g, m, s, k) }

func sumSq(x []float32, acc *lanes)                               { sumSqGo(x, acc) }
func sumSq2(x, y []float32, acc *[2]lanes)                        { sumSq2Go(x, y, acc) }
func lion(p, g, m []float32, k *LionCoef)                         { lionGo(p, g, m, k) }
func sfAdamW(p, g, z, x, v []float32, k *ScheduleFreeCoef)        { sfAdamWGo(p, g, z, x, v, k) }
func sfSGD(p, g, z, x []float32, k *ScheduleFreeCoef)             { sfSGDGo(p, g, z, x, k) }
func prodigyUpdate(p, m, v []float32, k *ProdigyCoef)             { prodigyUpdateGo(p, m, v, k) }
func lambGather(p, g, m, v []float32, k *LAMBCoef, acc *[2]lanes) { lambGatherGo(p, g, m, v, k, acc) }
func lambUpdate(p, m, v []float32, k *LAMBCoef)                   { lambUpdateGo(p, m, v, k) }
func lars(p, g, buf []float32, k *LARSCoef)                       { larsGo(p, g, buf, k) }
func prodigyGather(p, g, p0, m, v, s []float32, k *ProdigyCoef, acc *[2]lanes) {
	prodigyGatherGo(p, g, p0, m, v, s, k, acc)
}

func adafactorGather(g, v []float32, k *AdafactorCoef, acc *lanes) {
	adafactorGatherGo(g, v, k, acc)
}
func adafactorUpdate(p, g, v []float32, k *AdafactorCoef) { adafactorUpdateGo(p, g, v, k) }
