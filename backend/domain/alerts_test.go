package domain

import (
	"regexp"
	"testing"
	"time"
)

func TestBedTriggers(t *testing.T) {
	nd := CategoryKey{Nursing, Dementia}
	ro := CategoryKey{Residential, OlderPeople}
	cat := func(k CategoryKey, avail int) Category {
		return Category{CategoryKey: k, Counts: Counts{Available: avail}}
	}
	tests := []struct {
		name          string
		before, after []Category
		want          []Trigger
	}{
		{"a bed frees up", []Category{cat(nd, 0)}, []Category{cat(nd, 1)}, []Trigger{{AlertVacancy, nd, 1}}},
		{"another bed frees up", []Category{cat(nd, 1)}, []Category{cat(nd, 2)}, []Trigger{{AlertVacancy, nd, 2}}},
		{"a bed is taken", []Category{cat(nd, 2)}, []Category{cat(nd, 1)}, []Trigger{{AlertFilled, nd, 1}}},
		{"no change", []Category{cat(nd, 2)}, []Category{cat(nd, 2)}, nil},
		{"a new category with beds", nil, []Category{cat(ro, 3)}, []Trigger{{AlertVacancy, ro, 3}}},
		{"a category with beds removed", []Category{cat(ro, 3)}, nil, []Trigger{{AlertFilled, ro, 0}}},
		{"one up one down", []Category{cat(nd, 0), cat(ro, 2)}, []Category{cat(nd, 1), cat(ro, 0)},
			[]Trigger{{AlertVacancy, nd, 1}, {AlertFilled, ro, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := BedTriggers(tt.before, tt.after)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestHomeTriggersAndAdmitting(t *testing.T) {
	cats := []Category{{CategoryKey: CategoryKey{Nursing, Dementia}, Counts: Counts{Available: 2}}, {CategoryKey: CategoryKey{Residential, OlderPeople}}}
	if got := HomeTriggers(cats, true); len(got) != 1 || got[0].Kind != AlertVacancy || got[0].Available != 2 {
		t.Fatalf("reopening: %v", got)
	}
	if got := HomeTriggers(cats, false); len(got) != 1 || got[0].Kind != AlertFilled {
		t.Fatalf("closing: %v", got)
	}
	now := time.Now()
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	tests := []struct {
		name string
		home Home
		want bool
	}{
		{"open", Home{Status: Open}, true},
		{"restricted", Home{Status: Restricted, StatusExpiresAt: &future}, true},
		{"closed", Home{Status: Closed, StatusExpiresAt: &future}, false},
		{"closure lapsed", Home{Status: Closed, StatusExpiresAt: &past}, true},
		{"suspended", Home{Status: Open, Suspended: true}, false},
	}
	for _, tt := range tests {
		if got := Admitting(&tt.home, now); got != tt.want {
			t.Errorf("%s: got %v", tt.name, got)
		}
	}
}

func TestTopic_IsShortURLSafeAndDistinct(t *testing.T) {
	a := Topic(1, CategoryKey{Nursing, Dementia})
	b := Topic(1, CategoryKey{Nursing, OlderPeople})
	c := Topic(2, CategoryKey{Nursing, Dementia})
	ok := regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
	for _, x := range []string{a, b, c} {
		if !ok.MatchString(x) {
			t.Fatalf("topic %q breaks RFC 8030", x)
		}
	}
	if a == b || a == c || a != Topic(1, CategoryKey{Nursing, Dementia}) {
		t.Fatal("topics must be stable per home and category, and distinct")
	}
}
