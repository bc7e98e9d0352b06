package httpapi

// Routing says where an operation runs when nodes share the store: "any", "owner"
// or "placed"; ok is false when the routing table does not decide it.
func Routing(operationID string) (where string, ok bool) {
	r, ok := routings[operationID]
	return map[routing]string{anyNode: "any", onOwner: "owner", placed: "placed"}[r], ok
}

// Routings lists the operations the routing table decides.
func Routings() []string {
	ids := make([]string, 0, len(routings))
	for id := range routings {
		ids = append(ids, id)
	}
	return ids
}
