// Package lr holds the learning-rate schedulers of torch.optim.lr_scheduler, giving PyTorch
// 1.13's rates step for step: [LambdaLR], [MultiplicativeLR], [StepLR], [MultiStepLR],
// [ConstantLR], [LinearLR], [ExponentialLR], [PolynomialLR], [CosineAnnealingLR],
// [CosineAnnealingWarmRestarts], [CyclicLR], [OneCycleLR], [ReduceLROnPlateau],
// [SequentialLR] and [ChainedScheduler]; torch.optim.swa_utils.SWALR, the schedule of
// stochastic weight averaging, as [SWALR]; and [Parse], which builds one from a command-line
// spec such as "step:20:0.1".
//
// # Using a scheduler
//
// A scheduler acts on an [Optimizer]: anything with parameter groups whose learning rates
// can be read and set, such as every optimiser of package
// [github.com/descent-ml/descent/optim], or [Rates] to tabulate a schedule. As in torch,
// the constructor takes the first step, step 0: when it returns, the optimiser holds the
// rates of the first epoch (or batch). Then call Step after each epoch (or batch), after the
// optimiser's step:
//
//	sched, err := lr.NewStepLR(opt, 20, 0.1) // divide the rate by 10 every 20 epochs
//	...
//	for epoch := range epochs {
//		train(opt) // opt.Step() for every batch
//		if err := sched.Step(); err != nil { ... }
//	}
//
// [CyclicLR] and [OneCycleLR] are meant to step after every batch; [ReduceLROnPlateau]
// steps after every epoch with a metric, so it is not a [Scheduler]. Schedulers set every
// group's rate from the group's own base rate, so groups with different rates keep their
// ratio; the bounds of CyclicLR and OneCycleLR are given once for all groups or per group.
//
// # Exactness
//
// Torch computes most schedules recursively, from the rate the optimiser holds ("chainable"
// form: η_t = η_{t-1}·γ, or the ratio of consecutive cosines), which rounds differently from
// the closed forms of the docs and lets the rate be changed between steps. Each scheduler
// here uses the form torch uses, in torch's order of operations, and the closed form only
// where torch does (a SequentialLR milestone). testdata/gen_torch.py records torch's rates
// (and momenta) for 45 schedules of two groups, construction and 300 steps each; the tests
// check every value to relative 1e-9 (the largest difference is 2.4e-13, from cos and pow
// rounding differently in Go and in C). optim/swa/testdata/gen_swa.py records SWALR's rates
// (16 cases, 30 steps) into testdata/swalr.json, checked the same way.
//
// # Momentum
//
// [CyclicLR] and [OneCycleLR] cycle the momentum inversely to the rate, by default as in
// torch, through the optional [Momentumer] interface of the optimiser: the momentum of SGD
// and RMSprop, β₁ of the Adam family. They refuse an optimiser without it unless
// NoCycleMomentum is set.
//
// # Composition
//
// [SequentialLR] hands over from one scheduler to the next at milestones, and
// [ChainedScheduler] steps several at once. Build their children on the same optimiser, in
// order, just before the composite: like torch, which keeps a group's first rate as
// "initial_lr", the composite gives every child as base rates the optimiser's rates before
// the first child was built. The children may be any scheduler but CyclicLR, OneCycleLR,
// ReduceLROnPlateau (which set rates of their own making) and the composites.
//
// # Saved state
//
// MarshalBinary returns a scheduler's state and UnmarshalBinary restores it into a scheduler
// of the same type over an optimiser with as many groups; a run resumed from it continues bit
// for bit as if it had not stopped. The state is one JSON object, version 1:
//
//	{"format":"descent/optim/lr","version":1,"type":"StepLR",
//	 "last_epoch":37,"base_lrs":[0.1,0.05],"last_lrs":[0.001,0.0005],
//	 "step_size":20,"gamma":0.1}
//
// type names the scheduler; last_epoch is the number of steps after the constructor's;
// base_lrs and last_lrs are torch's base_lrs and _last_lr; the other fields are the
// scheduler's hyper-parameters and counters, under torch's state_dict names (T_cur, T_i,
// best, num_bad_epochs, cooldown_counter, ...), ±Inf written as "+Inf" and "-Inf". A
// composite's children are in "schedulers". As in torch, the hyper-parameters in the state
// replace the scheduler's own, and functions (LambdaLR's, MultiplicativeLR's, CyclicLR's
// ScaleFn) are not saved: build the loading scheduler with the same ones.
//
// Loading checks everything before changing anything: the format, the version, the type (a
// state of another scheduler type is refused with a [StateError] naming both), one value
// per group, and every hyper-parameter as the constructor would. It then sets the
// optimiser's rates (and cycled momenta) to those of the saved step, so the scheduler can be
// resumed even if the optimiser's own state was not saved.
//
// # Command-line schedules
//
// [ParseSpec] reads the --schedule flag of descent compare and train; [Spec.New] builds it
// for a run of E epochs of B batches into a [Schedule], which the training loop steps with
// [Schedule.BatchEnd] after every batch and [Schedule.EpochEnd] after every epoch:
//
//	none                         constant rate
//	step:STEP_EPOCHS:GAMMA       StepLR, ×GAMMA every STEP_EPOCHS epochs; per epoch
//	multistep:E1,E2,...:GAMMA    MultiStepLR, ×GAMMA after epochs E1, E2, ...; per epoch
//	exp:GAMMA                    ExponentialLR, ×GAMMA every epoch; per epoch
//	cosine[:ETA_MIN]             CosineAnnealingLR down to ETA_MIN (0) over the E·B batches; per batch
//	warmrestarts:T0[:TMULT]      CosineAnnealingWarmRestarts, first period T0 epochs, then ×TMULT (1); per batch
//	linear-warmup:EPOCHS[:START] LinearLR from START (0.1) times the rate to the rate over EPOCHS epochs; per batch
//	linear-warmup:...+AFTER      the warm-up, then AFTER (step, multistep, cosine or warmrestarts) over the
//	                             remaining epochs, counted from the end of the warm-up; per batch
//	onecycle[:MAX_LR]            OneCycleLR over the E·B batches, peaking at MAX_LR (the optimiser's rate);
//	                             it cycles the momentum if the optimiser has a non-zero one; per batch
//	plateau[:FACTOR[:PATIENCE]]  ReduceLROnPlateau on the epoch's metric, ×FACTOR (0.1) after PATIENCE (10)
//	                             epochs without improvement; per epoch
//
// Per-batch versions of step and multistep count epochs as E·B batches, which gives the same
// rates. Errors name the part of the spec that is wrong.
//
// # Differences from PyTorch
//
//   - There is no last_epoch argument and no deprecated Step(epoch): resume with
//     UnmarshalBinary.
//   - Arguments torch accepts but that break a schedule are refused: repeated or decreasing
//     milestones, a zero ConstantLR factor or LinearLR start factor (a division by zero in
//     torch), OneCycleLR phases of no steps, a ReduceLROnPlateau factor of 0.
//   - A rate that is not finite is a [RateError] and a metric that is not finite an error;
//     the step changes nothing.
//   - CyclicLR cycles β₁ of an Adam-like optimiser, as torch 2 does; torch 1.13 refuses.
//   - SequentialLR and ChainedScheduler do not hold CyclicLR or OneCycleLR.
package lr
