package gen

import (
	"cmp"
	"slices"
)

// The generator owns its random streams: a splitmix64 counter hashed from the
// seed and a row's coordinates (purpose, day, index). No library RNG is used,
// so the data never changes with a Go release, and any row or batch can be
// computed without computing the ones before it.

const golden = 0x9e3779b97f4a7c15

func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// hash combines a seed with coordinates into one well-mixed value.
func hash(seed uint64, parts ...uint64) uint64 {
	h := mix(seed + golden)
	for _, p := range parts {
		h = mix(h ^ (p + golden))
	}
	return h
}

// rng is a splitmix64 stream.
type rng struct{ s uint64 }

func stream(seed uint64, parts ...uint64) *rng { return &rng{s: hash(seed, parts...)} }

func (r *rng) next() uint64 {
	r.s += golden
	return mix(r.s)
}

// intn returns a number in [0, n). The modulo bias is negligible for the
// small n used here and, unlike rejection sampling, keeps one draw per call.
func (r *rng) intn(n int) int {
	if n <= 0 {
		panic("gen: intn of non-positive bound")
	}
	return int(r.next() % uint64(n))
}

// int63n is intn for large bounds.
func (r *rng) int63n(n int64) int64 {
	if n <= 0 {
		panic("gen: int63n of non-positive bound")
	}
	return int64(r.next() % uint64(n))
}

// pct is true with probability p percent.
func (r *rng) pct(p int) bool { return r.intn(100) < p }

// Purposes: each random decision draws from its own stream.
const (
	tagCustomer uint64 = iota + 1
	tagLeaver
	tagOrder
	tagItems
	tagCampaign
	tagEmail
	tagSession
	tagPlan
	tagPrice
	tagPay
	tagSplit
	tagPayRow
	tagShip
	tagEmailChange
	tagLeave
	tagCancel
	tagDayOrder
)

// pickDistinct draws k distinct indices from [0, n), in draw order.
func pickDistinct(r *rng, n, k int) []int {
	out := make([]int, 0, k)
	for len(out) < k {
		x := r.intn(n)
		dup := false
		for _, y := range out {
			dup = dup || y == x
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out
}

// rank orders ids by a per-day hash: a fair, reproducible shuffle whose
// result for one id does not depend on the others.
func rank(seed uint64, tag uint64, dayN int, ids []int64) []int64 {
	type keyed struct {
		key uint64
		id  int64
	}
	ks := make([]keyed, len(ids))
	for i, id := range ids {
		ks[i] = keyed{hash(seed, tag, uint64(dayN), uint64(id)), id}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id)) })
	out := make([]int64, len(ks))
	for i, k := range ks {
		out[i] = k.id
	}
	return out
}
