package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// Version is the version of the stored form written now: {"v":1,"data":{…}}, data
// being the event's Data as JSON. Rows written before typed events carry no version:
// their payload is the WAREST `data` object itself (Legacy).
const Version = 1

// Legacy is the payload of a row stored before typed events: the WAREST `data`
// object, already rendered. It is read back as it is and rendered unchanged.
type Legacy json.RawMessage

type stored struct {
	V    int             `json:"v"`
	Data json.RawMessage `json:"data,omitempty"`
}

// Encode returns the stored form of data for an event of type t; data must be the
// Data type t carries (or Legacy, stored as it is).
func Encode(t Type, data Data) (json.RawMessage, error) {
	if l, ok := data.(Legacy); ok {
		if len(l) == 0 || l[0] != '{' || !json.Valid(l) {
			return nil, errors.New("event: legacy payload must be a JSON object")
		}
		return json.RawMessage(l), nil
	}
	shape, ok := shapes[t]
	if !ok {
		return nil, fmt.Errorf("event: unknown type %q", t)
	}
	if reflect.TypeOf(data) != reflect.TypeOf(shape) {
		return nil, fmt.Errorf("event: %s carries %T, not %T", t, shape, data)
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	return json.Marshal(stored{V: Version, Data: raw})
}

// Decode reads a stored payload of an event of type t back as its Data: the typed
// value, or Legacy for a row written before typed events.
func Decode(t Type, payload json.RawMessage) (Data, error) {
	var s stored
	if err := json.Unmarshal(payload, &s); err != nil {
		return nil, fmt.Errorf("event: stored %s payload: %w", t, err)
	}
	switch s.V {
	case 0:
		return Legacy(payload), nil
	case Version:
	default:
		return nil, fmt.Errorf("event: stored %s payload has version %d; this gateway reads up to %d", t, s.V, Version)
	}
	shape, ok := shapes[t]
	if !ok {
		return nil, fmt.Errorf("event: unknown type %q", t)
	}
	v := reflect.New(reflect.TypeOf(shape))
	if err := json.Unmarshal(s.Data, v.Interface()); err != nil {
		return nil, fmt.Errorf("event: stored %s payload: %w", t, err)
	}
	return v.Elem().Interface().(Data), nil
}

// Data reads the envelope's payload back as its Data.
func (e Envelope) Data() (Data, error) { return Decode(e.Type, e.Payload) }
