package tabular_test

import (
	"fmt"
	"path/filepath"

	"github.com/descent-ml/descent/data/tabular"
)

// Loading scikit-learn's diabetes data, converted to CSV, with a held-out fifth and
// standardised features.
func ExampleLoad() {
	sets, err := tabular.Load(tabular.Spec{
		Train:       filepath.Join("..", "testdata", "sklearn", "diabetes_train.csv"),
		Target:      []string{"target"},
		Seed:        1,
		Standardize: true,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(sets.Task)
	fmt.Println(sets.Train.Len(), "training and", sets.Test.Len(), "held-out examples of", len(sets.Features), "features")
	fmt.Println(sets.Features[:3])
	// Output:
	// regress, 1 output
	// 282 training and 71 held-out examples of 10 features
	// [age sex bmi]
}
