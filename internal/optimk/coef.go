package optimk

// The coefficients of one step of one parameter, in float32 as torch's kernels see them,
// computed by package optim from its configuration and step count. The assembly reads them
// by offset: the order and types of the fields are part of each kernel's contract (see
// TestCoefLayout).

// SGDCoef are the coefficients of [SGD].
type SGDCoef struct {
	NegLR, WD, Mom, Damp1 float32 // -γ, λ, μ, 1-τ
	Flags                 uint32  // SGDMaximize …
}

// The flags of [SGDCoef].
const (
	SGDMaximize = 1 << iota // ascend: g ← -g
	SGDDecay                // g ← g + λθ
	SGDMomentum             // keep a momentum buffer
	SGDFirst                // the momentum buffer is set from this step's gradient
	SGDNesterov             // Nesterov momentum
)

// AdamCoef are the coefficients of [Adam] (Adam and AdamW).
type AdamCoef struct {
	B1, Omb1, B2, Omb2 float32 // β₁, 1-β₁, β₂, 1-β₂
	Bc2s, Bc2, Eps     float32 // √(1-β₂ᵗ), 1-β₂ᵗ, ε
	NegStep            float32 // -γ/(1-β₁ᵗ)
	WD, Decay          float32 // λ (Adam), 1-γλ (AdamW)
	Flags              uint32  // AdamMaximize …
}

// The flags of [AdamCoef], [AdamaxCoef] (AdamMaximize, AdamDecay) and [NAdamCoef]
// (AdamDecay).
const (
	AdamMaximize   = 1 << iota // ascend: g ← -g
	AdamDecay                  // Adam's L2 term: g ← g + λθ
	AdamDecoupled              // AdamW's θ ← θ·(1-γλ) first
	AdamAMSTorch               // AMSGrad, torch's: the maximum of v
	AdamAMSLecture             // AMSGrad, the lecture's: the maximum of v/(1-β₂ᵗ)
)

// RMSpropCoef are the coefficients of [RMSprop].
type RMSpropCoef struct {
	Alpha, Oma, Eps, WD, Mom, NegLR float32 // α, 1-α, ε, λ, μ, -γ
	Flags                           uint32  // RMSpropMaximize …
}

// The flags of [RMSpropCoef].
const (
	RMSpropMaximize = 1 << iota // ascend: g ← -g
	RMSpropDecay                // g ← g + λθ
	RMSpropCentered             // divide by the estimated standard deviation
	RMSpropMomentum             // keep a momentum buffer
)

// AdagradCoef are the coefficients of [Adagrad].
type AdagradCoef struct {
	NegCLR, WD, Eps float32 // -γ/(1 + (t-1)η), λ, ε
	Flags           uint32  // AdagradMaximize, AdagradDecay
}

// The flags of [AdagradCoef].
const (
	AdagradMaximize = 1 << iota // ascend: g ← -g
	AdagradDecay                // g ← g + λθ
)

// AdadeltaCoef are the coefficients of [Adadelta].
type AdadeltaCoef struct {
	Rho, Omr, Eps, WD, NegLR float32 // ρ, 1-ρ, ε, λ, -γ
	Flags                    uint32  // AdadeltaMaximize, AdadeltaDecay
}

// The flags of [AdadeltaCoef].
const (
	AdadeltaMaximize = 1 << iota // ascend: g ← -g
	AdadeltaDecay                // g ← g + λθ
)

// AdamaxCoef are the coefficients of [Adamax].
type AdamaxCoef struct {
	B1, Omb1, B2, Eps, WD, NegCLR float32 // β₁, 1-β₁, β₂, ε, λ, -γ/(1-β₁ᵗ)
	Flags                         uint32  // AdamMaximize, AdamDecay
}

// NAdamCoef are the coefficients of [NAdam].
type NAdamCoef struct {
	B1, Omb1, B2, Omb2, Bc2, Eps, WD float32 // β₁, 1-β₁, β₂, 1-β₂, 1-β₂ᵗ, ε, λ
	Cg, Cm                           float32 // the factors of g and m (see nadamGo)
	Flags                            uint32  // AdamDecay
}

// RAdamCoef are the coefficients of [RAdam].
type RAdamCoef struct {
	B1, Omb1, B2, Omb2, Bc1, LR, Eps, WD float32 // β₁, 1-β₁, β₂, 1-β₂, 1-β₁ᵗ, γ, ε, λ
	Bc2s, Rect                           float32 // √(1-β₂ᵗ) and the rectification r (when rectified)
	Flags                                uint32  // RAdamDecay, RAdamRectified
}

// The flags of [RAdamCoef].
const (
	RAdamDecay     = 1 << iota // g ← g + λθ
	RAdamRectified             // the variance is tractable: rectify (ρ_t > 5)
)
