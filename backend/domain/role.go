package domain

// Role is what a signed-in caller may do.
type Role string

// Roles. A system client is an NHS or council system with read-only access.
const (
	RoleAdmin        Role = "admin"
	RoleCommissioner Role = "commissioner"
	RoleCoordinator  Role = "coordinator"
	RoleManager      Role = "manager"
	RoleSystem       Role = "system"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleCommissioner, RoleCoordinator, RoleManager, RoleSystem}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// OrgKind is the kind of an organisation.
type OrgKind string

// Organisation kinds.
const (
	OrgCareProvider   OrgKind = "care_provider"
	OrgNHSTrust       OrgKind = "nhs_trust"
	OrgICB            OrgKind = "icb"
	OrgLocalAuthority OrgKind = "local_authority"
)

// Valid reports whether k is a known organisation kind.
func (k OrgKind) Valid() bool {
	switch k {
	case OrgCareProvider, OrgNHSTrust, OrgICB, OrgLocalAuthority:
		return true
	}
	return false
}

// Area is what a commissioner commissions: a local authority by name, or an
// ICB by its ODS code. A home is in the area when either matches.
type Area struct {
	LocalAuthority string
	ICB            string
}

// Covers reports whether a home in local authority la and ICB icb is in the area.
// An empty area covers nothing, so a commissioner with no area sees no homes.
func (a Area) Covers(la, icb string) bool {
	return (a.LocalAuthority != "" && a.LocalAuthority == la) || (a.ICB != "" && a.ICB == icb)
}
