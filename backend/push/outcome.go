package push

import (
	"context"
	"errors"
	"net"
	"net/url"
)

// Outcome is what to do after an answer.
type Outcome string

// Outcomes, following the push services' documented answers.
const (
	Delivered Outcome = "delivered" // 2xx
	Gone      Outcome = "gone"      // 404, 410: the subscription no longer exists; delete it
	Retry     Outcome = "retry"     // 408, 429, 5xx, network errors: try again later
	Drop      Outcome = "drop"      // other 4xx (400, 413...): the message is refused for good
)

// Classify maps an answer to an outcome. A network error is never taken as
// "gone": a blip must not wipe a coordinator's devices.
func Classify(a Answer) Outcome {
	switch {
	case a.Status == 0 && transient(a.Err):
		return Retry
	case a.Status == 0:
		return Drop // refused before sending: bad keys, not allowed, too large
	case a.Status >= 200 && a.Status < 300:
		return Delivered
	case a.Status == 404 || a.Status == 410:
		return Gone
	case a.Status == 408 || a.Status == 429 || a.Status >= 500:
		return Retry
	}
	return Drop
}

// transient reports a failure to reach the push service, worth retrying.
func transient(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}
