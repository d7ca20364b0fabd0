package storage

import (
	"context"

	"github.com/bedstate/bedstate/backend/domain"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type orgRow struct {
	ID             int64 `gorm:"primaryKey"`
	Kind           string
	Name           string
	ODSCode        *string
	LocalAuthority string
}

func (orgRow) TableName() string { return "organisations" }

func (r orgRow) domain() domain.Organisation {
	o := domain.Organisation{ID: r.ID, Kind: domain.OrgKind(r.Kind), Name: r.Name, LocalAuthority: r.LocalAuthority}
	if r.ODSCode != nil {
		o.ODSCode = *r.ODSCode
	}
	return o
}

type hospitalRow struct {
	ID             int64 `gorm:"primaryKey"`
	OrganisationID int64
	Name           string
	ODSSiteCode    string
	Latitude       float64
	Longitude      float64
}

func (hospitalRow) TableName() string { return "hospitals" }

func (r hospitalRow) domain() domain.Hospital {
	return domain.Hospital{ID: r.ID, OrganisationID: r.OrganisationID, Name: r.Name, ODSSiteCode: r.ODSSiteCode, Latitude: r.Latitude, Longitude: r.Longitude}
}

// UpsertOrganisation adds an organisation, or updates the one with the same
// ODS code, and returns it with its id.
func (s *Store) UpsertOrganisation(ctx context.Context, o domain.Organisation) (domain.Organisation, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	r := orgRow{Kind: string(o.Kind), Name: o.Name, LocalAuthority: o.LocalAuthority}
	if o.ODSCode != "" {
		code := o.ODSCode
		r.ODSCode = &code
		var cur orgRow
		err := db.Where("ods_code = ?", code).Take(&cur).Error
		if err == nil {
			r.ID = cur.ID
			err = db.Model(&orgRow{}).Where("id = ?", cur.ID).Updates(map[string]any{"kind": r.Kind, "name": r.Name, "local_authority": r.LocalAuthority}).Error
			return r.domain(), classify(err)
		}
		if err != gorm.ErrRecordNotFound {
			return domain.Organisation{}, classify(err)
		}
	}
	err := db.Create(&r).Error
	return r.domain(), classify(err)
}

// Organisation reads one organisation.
func (s *Store) Organisation(ctx context.Context, id int64) (domain.Organisation, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var r orgRow
	err := db.Where("id = ?", id).Take(&r).Error
	return r.domain(), classify(err)
}

// OrganisationByODS reads one organisation by ODS code.
func (s *Store) OrganisationByODS(ctx context.Context, code string) (domain.Organisation, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var r orgRow
	err := db.Where("ods_code = ?", code).Take(&r).Error
	return r.domain(), classify(err)
}

// UpsertHospital adds a hospital site, or updates the one with the same name.
func (s *Store) UpsertHospital(ctx context.Context, h domain.Hospital) (domain.Hospital, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	r := hospitalRow{OrganisationID: h.OrganisationID, Name: h.Name, ODSSiteCode: h.ODSSiteCode, Latitude: h.Latitude, Longitude: h.Longitude}
	err := db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "name"}},
		DoUpdates: clause.AssignmentColumns([]string{"organisation_id", "ods_site_code", "latitude", "longitude"})}).Create(&r).Error
	if err != nil {
		return domain.Hospital{}, classify(err)
	}
	err = db.Where("name = ?", h.Name).Take(&r).Error
	return r.domain(), classify(err)
}

// Hospitals lists every hospital site, by name.
func (s *Store) Hospitals(ctx context.Context) ([]domain.Hospital, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var rows []hospitalRow
	if err := db.Order("name").Find(&rows).Error; err != nil {
		return nil, classify(err)
	}
	out := make([]domain.Hospital, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// Hospital reads one hospital site.
func (s *Store) Hospital(ctx context.Context, id int64) (domain.Hospital, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var r hospitalRow
	err := db.Where("id = ?", id).Take(&r).Error
	return r.domain(), classify(err)
}
