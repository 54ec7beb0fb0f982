package theory

import (
	"fmt"
	"strings"
)

// Catalogue returns every claim of CLAIMS.md, in its order.
func Catalogue() []Claim {
	return []Claim{
		firstOrder(), sandwich(), hessianBounds(), kappaCost(), reparametrisation(), ermGap(),
		gdSmooth(0.5), gdStrong(1), lowerBound(3.0 / 32), nesterovRate(2), nesterovSpeed(), heavyBall(),
		newtonQuadratic(1e-9), newtonLocal(), lbfgsClaim(), noiseSensitive(),
		unbiased(), sgdFixedBound(2), sgdPlateau(), sgdDecayStrong(), sgdDecayConvex(), sgdVsGD(), interpolation(), minibatchVariance(), batchSweetSpot(), momentumSGD(0.5),
		adagradRobust(), adagradScale(), adagradForgets(), rmspropSize(), adamBias(), amsgradClaim(), weightDecay(), stepSchedule(), adamFirst(),
	}
}

// Lookup returns the claim of the catalogue with the given ID.
func Lookup(id string) (Claim, error) {
	var ids []string
	for _, c := range Catalogue() {
		if c.ID == id {
			return c, nil
		}
		ids = append(ids, c.ID)
	}
	return Claim{}, fmt.Errorf("theory: no claim %q (the claims are %s)", id, strings.Join(ids, ", "))
}
