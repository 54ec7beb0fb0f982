package optimk

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
