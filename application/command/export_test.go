package command

import "github.com/warest-go/warest/domain/account"

// RecordPasswordChecks makes s append the stored hash of every password check it
// makes to *checked; the checks still run.
func RecordPasswordChecks(s *Commands, checked *[]string) {
	s.Logins.checkPassword = func(stored, password string) bool {
		*checked = append(*checked, stored)
		return account.CheckPassword(stored, password)
	}
}
