package domain

import (
	"math"
	"testing"
)

func TestDistanceKm(t *testing.T) {
	tests := []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		want, tolerance        float64
	}{
		// Great-circle figures, checked against an independent haversine.
		{"Royal Stoke to County Hospital Stafford", 53.0027, -2.2137, 52.8266, -2.1198, 20.57, 0.2},
		{"Royal Stoke to Queen's Hospital Burton", 53.0027, -2.2137, 52.8186, -1.6580, 42.5, 0.3},
		{"Westminster to Manchester", 51.5007, -0.1246, 53.4808, -2.2426, 262.7, 1},
		{"same point", 52.8266, -2.1198, 52.8266, -2.1198, 0, 1e-9},
		{"one degree of latitude", 52, -2, 53, -2, 111.2, 0.1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DistanceKm(tt.lat1, tt.lon1, tt.lat2, tt.lon2)
			if math.Abs(got-tt.want) > tt.tolerance {
				t.Errorf("DistanceKm = %.3f, want %.3f ± %.3f", got, tt.want, tt.tolerance)
			}
			if back := DistanceKm(tt.lat2, tt.lon2, tt.lat1, tt.lon1); math.Abs(back-got) > 1e-9 {
				t.Errorf("not symmetric: %.6f and %.6f", got, back)
			}
		})
	}
}

func TestValidCoordinates(t *testing.T) {
	tests := []struct {
		name     string
		lat, lon float64
		want     bool
	}{
		{"Stafford", 52.8066, -2.1171, true},
		{"Cornwall tip", 50.07, -5.71, true},
		{"Northumberland", 55.6, -2.0, true},
		{"swapped", -2.1171, 52.8066, false},
		{"zero", 0, 0, false},
		{"Paris", 48.85, 2.35, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidCoordinates(tt.lat, tt.lon); got != tt.want {
				t.Errorf("ValidCoordinates(%v, %v) = %v, want %v", tt.lat, tt.lon, got, tt.want)
			}
		})
	}
}
