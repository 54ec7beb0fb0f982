package lr

import (
	"encoding/json"
	"fmt"
	"math"
)

// swaAlpha returns the share of the SWA rate at the fraction t of SWALR's annealing: t
// itself (AnnealLinear), or (1 − cos πt)/2 (AnnealCos).
func swaAlpha(a Anneal, t float64) float64 {
	if a == AnnealLinear {
		return t
	}
	return (1 - math.Cos(math.Pi*t)) / 2
}

// SWALR anneals the learning rate of each group from the rate the optimiser holds when it
// is built to a fixed SWA rate swa_lr, over AnnealEpochs steps, then keeps it there
// (torch.optim.swa_utils.SWALR): the schedule of stochastic weight averaging (Izmailov,
// Podoprikhin, Garipov, Vetrov and Wilson, "Averaging Weights Leads to Wider Optima and
// Better Generalization", UAI 2018), stepped once per epoch while the weights are averaged
// (package [github.com/descent-ml/descent/optim/swa]). With η the rate at the start,
//
//	η_t = α_t·swa_lr + (1 − α_t)·η,   α_t = a(min(1, t/max(1, AnnealEpochs)))
//
// with a(s) = s (linear) or a(s) = (1 − cos πs)/2 (cos). AnnealEpochs 0 sets swa_lr at
// once, at the constructor's step.
//
// Like torch, SWALR keeps no base rate: every step recovers η from the rate the optimiser
// holds and the previous step's α,
//
//	η = swa_lr                            if α_{t−1} = 1
//	η = (lr − α_{t−1}·swa_lr)/(1 − α_{t−1}) otherwise,
//
// in torch's order of operations, so that it follows a rate changed between steps as torch
// does.
type SWALR struct {
	c      core
	swa    []float64
	epochs int
	anneal Anneal
}

// NewSWALR returns a SWALR over opt and takes the step of its constructor (which keeps the
// optimiser's rates unless annealEpochs is 0). swaLR is the SWA rate of every group or one
// per group, non-negative and finite; annealEpochs must not be negative. torch's defaults
// are annealEpochs 10 and [AnnealCos] (also the meaning of "").
func NewSWALR(opt Optimizer, swaLR []float64, annealEpochs int, anneal Anneal) (*SWALR, error) {
	const name = "SWALR"
	if err := checkGroups(opt, name); err != nil {
		return nil, err
	}
	swa, err := perGroup(name, "swa_lr", swaLR, opt.NumGroups())
	if err != nil {
		return nil, err
	}
	if anneal == "" {
		anneal = AnnealCos
	}
	if err := checkSWALR(swa, annealEpochs, anneal); err != nil {
		return nil, err
	}
	s := &SWALR{c: newCore(opt, name), swa: swa, epochs: annealEpochs, anneal: anneal}
	if err := s.Step(); err != nil {
		return nil, err
	}
	return s, nil
}

func checkSWALR(swa []float64, epochs int, anneal Anneal) error {
	for g, v := range swa {
		if err := checkNonNegative("SWALR", fmt.Sprintf("swa_lr of group %d", g), v); err != nil {
			return err
		}
	}
	if epochs < 0 {
		return fmt.Errorf("lr: SWALR anneal_epochs must be at least 0, got %d", epochs)
	}
	if anneal != AnnealCos && anneal != AnnealLinear {
		return fmt.Errorf("lr: SWALR anneal_strategy must be %q or %q, got %q", AnnealCos, AnnealLinear, anneal)
	}
	return nil
}

// Step sets the rates of the next step.
func (s *SWALR) Step() error { return s.c.apply(s.c.epoch+1, s.rate) }

// rate is torch's SWALR.get_lr for group g at step t (torch's _step_count − 1).
func (s *SWALR) rate(t, g int, lr float64) float64 {
	if s.epochs == 0 {
		t = max(1, t)
	}
	span := float64(max(1, s.epochs))
	prevAlpha := swaAlpha(s.anneal, max(0, min(1, float64(t-1)/span)))
	swa := s.swa[g]
	prev := swa // torch's _get_initial_lr
	if prevAlpha != 1 {
		prev = (lr - prevAlpha*swa) / (1 - prevAlpha)
	}
	alpha := swaAlpha(s.anneal, max(0, min(1, float64(t)/span)))
	return swa*alpha + prev*(1-alpha)
}

// LastLR returns the rates set by the latest step.
func (s *SWALR) LastLR() []float64 { return s.c.last }

type swalrState struct {
	common
	SWALR        []float64 `json:"swa_lrs"`
	AnnealEpochs int       `json:"anneal_epochs"`
	Anneal       Anneal    `json:"anneal_strategy"`
}

// MarshalBinary returns the state: step, rates, the SWA rates, the annealing epochs and
// strategy.
func (s *SWALR) MarshalBinary() ([]byte, error) {
	return json.Marshal(&swalrState{s.c.common(), s.swa, s.epochs, s.anneal})
}

// UnmarshalBinary restores a state saved by a SWALR, hyper-parameters included.
func (s *SWALR) UnmarshalBinary(data []byte) error { return unmarshal(s, data) }

func (s *SWALR) load(data []byte) (func(), error) {
	var st swalrState
	if err := s.c.decodeCommon(data, &st, &st.common); err != nil {
		return nil, err
	}
	if err := checkRates(s.c.name, "swa_lrs", st.SWALR, s.c.groups()); err != nil {
		return nil, err
	}
	if err := wrapCheck(checkSWALR(st.SWALR, st.AnnealEpochs, st.Anneal)); err != nil {
		return nil, err
	}
	return func() {
		s.c.restore(&st.common)
		copy(s.swa, st.SWALR)
		s.epochs, s.anneal = st.AnnealEpochs, st.Anneal
	}, nil
}

func (s *SWALR) setOptimizer() { s.c.setOptimizer() }

var _ Scheduler = (*SWALR)(nil)
