package results

// A Run gathers the records of one run: one name and seed.
type Run struct {
	Name   string
	Seed   int
	Steps  []Record // step records, by step
	Epochs []Record // epoch records, by epoch
	// End is the run's end record, nil if the process stopped before writing one.
	End *Record
}

// Status returns how the run ended: its end record's status, or StatusInterrupted if it has
// none (the process was killed).
func (r *Run) Status() Status {
	if r.End == nil {
		return StatusInterrupted
	}
	return r.End.Status
}

// Records returns the run's step or epoch records (nil for any other kind).
func (r *Run) Records(k Kind) []Record {
	switch k {
	case KindStep:
		return r.Steps
	case KindEpoch:
		return r.Epochs
	}
	return nil
}

// Runs groups records by run name and seed, the runs in the order they first appear.
//
// A resumed run appends to the file of the run it resumes, and may log again steps that were
// logged after the checkpoint it resumed from: a step or epoch record whose step is not past
// the previous one of its kind replaces the records it overlaps, and a record that follows an
// end record reopens the run. So each run's records are increasing in step.
func Runs(recs []Record) []Run {
	type key struct {
		name string
		seed int
	}
	index := map[key]int{}
	var runs []Run
	for i := range recs {
		rec := recs[i]
		k := key{rec.Run, rec.Seed}
		j, ok := index[k]
		if !ok {
			j = len(runs)
			index[k] = j
			runs = append(runs, Run{Name: rec.Run, Seed: rec.Seed})
		}
		run := &runs[j]
		switch rec.Kind {
		case KindStep:
			run.Steps = appendOrdered(run.Steps, rec)
			run.End = nil
		case KindEpoch:
			run.Epochs = appendOrdered(run.Epochs, rec)
			run.End = nil
		case KindEnd:
			run.End = &rec
		}
	}
	return runs
}

// appendOrdered appends rec after dropping the records whose step is not before rec's,
// except that epoch records of the same step but a later epoch (epochs with no step, as in
// a test) are kept.
func appendOrdered(list []Record, rec Record) []Record {
	n := len(list)
	for n > 0 {
		last := &list[n-1]
		if last.Step < rec.Step || (last.Step == rec.Step && last.Epoch < rec.Epoch) {
			break
		}
		n--
	}
	return append(list[:n], rec)
}
