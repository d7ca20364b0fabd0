package domain

import "math"

const earthRadiusKm = 6371.0088

// DistanceKm is the great-circle distance between two points, in kilometres.
func DistanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(a)))
}

// ValidCoordinates reports whether lat/lon can be a point in or near England,
// which also catches swapped latitude and longitude.
func ValidCoordinates(lat, lon float64) bool {
	return lat >= 49 && lat <= 56.5 && lon >= -7 && lon <= 2.5
}
