package optimk

//go:generate go run ./gen -out kernels_avx2gen_amd64.s

// AllFinite reports whether no element of x is NaN or infinite (allFiniteGo).
func AllFinite(x []float32) bool { return allFinite(x) }

// SGD applies one SGD step to p from the gradient g and the momentum buffer buf (nil
// without SGDMomentum): sgdGo's loop.
func SGD(p, g, buf []float32, k *SGDCoef) { sgd(p, g, buf, k) }

// Adam applies one Adam or AdamW step to p from g, the moments m and v, and vmax (nil
// without AMSGrad): adamGo's loop.
func Adam(p, g, m, v, vmax []float32, k *AdamCoef) { adam(p, g, m, v, vmax, k) }

// RMSprop applies one RMSprop step to v from g, the square average sq, the momentum buffer
// buf (nil without RMSpropMomentum) and the gradient average ga (nil unless
// RMSpropCentered): rmspropGo's loop.
func RMSprop(v, g, sq, buf, ga []float32, k *RMSpropCoef) { rmsprop(v, g, sq, buf, ga, k) }

// Adagrad applies one Adagrad step to v from g and the sum of squares s: adagradGo's loop.
func Adagrad(v, g, s []float32, k *AdagradCoef) { adagrad(v, g, s, k) }

// Adadelta applies one Adadelta step to v from g, the square average sq and the delta
// average acc: adadeltaGo's loop.
func Adadelta(v, g, sq, acc []float32, k *AdadeltaCoef) { adadelta(v, g, sq, acc, k) }

// Adamax applies one Adamax step to v from g, the first moment m and the infinity norm u:
// adamaxGo's loop.
func Adamax(v, g, m, u []float32, k *AdamaxCoef) { adamax(v, g, m, u, k) }

// NAdam applies one NAdam step to v from g and the moments m and s: nadamGo's loop.
func NAdam(v, g, m, s []float32, k *NAdamCoef) { nadam(v, g, m, s, k) }

// RAdam applies one RAdam step to v from g and the moments m and s: radamGo's loop.
func RAdam(v, g, m, s []float32, k *RAdamCoef) { radam(v, g, m, s, k) }

// SumSq returns Σ x[j]² in float64: each square exact, added into 16 lanes (lane j mod 16,
// in order of j) that are then added in a fixed tree (sumSqGo and laneSum), so the result
// is the same whichever kernel runs. A NaN or infinite element makes it NaN or +Inf.
func SumSq(x []float32) float64 {
	var acc lanes
	sumSq(x, &acc)
	return laneSum(&acc)
}

// SumSq2 returns Σ x[j]² and Σ y[j]², each summed as [SumSq] sums, in one pass.
func SumSq2(x, y []float32) (xx, yy float64) {
	var acc [2]lanes
	sumSq2(x, y, &acc)
	return laneSum(&acc[0]), laneSum(&acc[1])
}

// Lion applies one Lion step to p from g and the momentum m: lionGo's loop.
func Lion(p, g, m []float32, k *LionCoef) { lion(p, g, m, k) }

// ScheduleFreeAdamW applies one Schedule-Free AdamW step to p (the point y) from g, the
// sequences z and x and the second moment v: sfAdamWGo's loop.
func ScheduleFreeAdamW(p, g, z, x, v []float32, k *ScheduleFreeCoef) { sfAdamW(p, g, z, x, v, k) }

// ScheduleFreeSGD applies one Schedule-Free SGD step to p (the point y) from g and the
// sequences z and x: sfSGDGo's loop.
func ScheduleFreeSGD(p, g, z, x []float32, k *ScheduleFreeCoef) { sfSGD(p, g, z, x, k) }

// Interp sets y[j] = fma(z[j], omb, x[j]·b), the schedule-free methods' y from x and z, with
// the bits their steps compute (interpGo; Go only: it runs once per switch to training).
func Interp(y, x, z []float32, b, omb float32) { interpGo(y, x, z, b, omb) }

// ProdigyGather applies Prodigy's moment updates to m, v and s from g and returns
// Σ g·(θ₀-θ) and Σ|s| over the slice, summed as [SumSq] sums: prodigyGatherGo's loop.
func ProdigyGather(p, g, p0, m, v, s []float32, k *ProdigyCoef) (dot, abs float64) {
	var acc [2]lanes
	prodigyGather(p, g, p0, m, v, s, k, &acc)
	return laneSum(&acc[0]), laneSum(&acc[1])
}

// ProdigyUpdate applies Prodigy's step to p from the moments m and v: prodigyUpdateGo's
// loop.
func ProdigyUpdate(p, m, v []float32, k *ProdigyCoef) { prodigyUpdate(p, m, v, k) }

// LAMBGather applies LAMB's moment updates to m and v from g and returns Σ u² and Σ θ² over
// the slice (u the Adam direction with weight decay), summed as [SumSq] sums:
// lambGatherGo's loop.
func LAMBGather(p, g, m, v []float32, k *LAMBCoef) (uu, pp float64) {
	var acc [2]lanes
	lambGather(p, g, m, v, k, &acc)
	return laneSum(&acc[0]), laneSum(&acc[1])
}

// LAMBUpdate applies LAMB's step to p from the moments m and v: lambUpdateGo's loop.
func LAMBUpdate(p, m, v []float32, k *LAMBCoef) { lambUpdate(p, m, v, k) }

// LARS applies one LARS step to p from g and the momentum buffer buf (nil without
// LARSMomentum): larsGo's loop.
func LARS(p, g, buf []float32, k *LARSCoef) { lars(p, g, buf, k) }

// AdafactorGather updates Adafactor's second moment v of a vector from g and returns
// Σ U² over the slice, summed as [SumSq] sums: adafactorGatherGo's loop.
func AdafactorGather(g, v []float32, k *AdafactorCoef) float64 {
	var acc lanes
	adafactorGather(g, v, k, &acc)
	return laneSum(&acc)
}

// AdafactorUpdate applies Adafactor's step to p, a vector, from g and its second moment v:
// adafactorUpdateGo's loop.
func AdafactorUpdate(p, g, v []float32, k *AdafactorCoef) { adafactorUpdate(p, g, v, k) }
