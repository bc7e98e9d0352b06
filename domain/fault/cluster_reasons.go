package fault

// Why an operation of the nodes sharing a store failed.
const (
	// ReasonFenced refuses a write made under a session lease another node has
	// taken over since (its fencing token is older than the lease's).
	ReasonFenced       Reason = "fenced"
	ReasonNodeNotFound Reason = "node_not_found"
)
