package api

import (
	"github.com/bedstate/bedstate/backend/domain"
)

var (
	everyone = []domain.Role{domain.RoleAdmin, domain.RoleCommissioner, domain.RoleCoordinator, domain.RoleManager, domain.RoleSystem}

	readers    = []domain.Role{domain.RoleAdmin, domain.RoleCommissioner, domain.RoleCoordinator, domain.RoleSystem}
	editors    = []domain.Role{domain.RoleAdmin, domain.RoleCommissioner}
	bedWriters = []domain.Role{domain.RoleAdmin, domain.RoleManager}
	auditors   = []domain.Role{domain.RoleAdmin, domain.RoleCommissioner, domain.RoleManager}
	people     = []domain.Role{domain.RoleAdmin, domain.RoleCommissioner, domain.RoleCoordinator, domain.RoleManager}
	alertees   = []domain.Role{domain.RoleAdmin, domain.RoleCommissioner, domain.RoleCoordinator}
	systems    = []domain.Role{domain.RoleSystem}
	admins     = []domain.Role{domain.RoleAdmin}
)

// routes is the one route table. Every /api/ route names its roles; the
// handlers then check organisation scope (a manager's own homes, a
// commissioner's area).
func (s *Server) routes() []route {
	return []route{
		{method: "GET", path: "/healthz", public: true, handler: s.healthz},
		{method: "GET", path: "/readyz", public: true, handler: s.readyz},
		{method: "GET", path: "/metrics", public: true, handler: s.metricsHandler()},
		{method: "GET", path: "/.well-known/jwks.json", public: true, handler: s.jwks},

		{method: "POST", path: "/api/v1/auth/login", public: true, handler: s.login},
		{method: "POST", path: "/api/v1/auth/refresh", public: true, handler: s.refresh},
		{method: "POST", path: "/api/v1/auth/logout", public: true, handler: s.logout},
		{method: "POST", path: "/api/v1/auth/token", public: true, handler: s.clientToken},
		{method: "GET", path: "/api/v1/me", roles: everyone, handler: s.me},

		{method: "GET", path: "/api/v1/hospitals", roles: everyone, handler: s.listHospitals},
		{method: "GET", path: "/api/v1/areas", roles: everyone, handler: s.listAreas},
		{method: "GET", path: "/api/v1/users", roles: editors, handler: s.listUsers},
		{method: "POST", path: "/api/v1/users", roles: editors, handler: s.createUser},

		{method: "GET", path: "/api/v1/homes", roles: everyone, handler: s.listHomes},
		{method: "POST", path: "/api/v1/homes", roles: editors, handler: s.createHome},
		{method: "POST", path: "/api/v1/homes/import", roles: editors, maxBody: s.opts.ImportMaxBytes, handler: s.importHomes},
		{method: "GET", path: "/api/v1/homes/:id", roles: everyone, handler: s.getHome},
		{method: "PATCH", path: "/api/v1/homes/:id", roles: editors, handler: s.updateHome},
		{method: "GET", path: "/api/v1/homes/:id/beds", roles: everyone, handler: s.getBeds},
		{method: "PUT", path: "/api/v1/homes/:id/beds", roles: bedWriters, handler: s.putBeds},
		{method: "POST", path: "/api/v1/homes/:id/beds/confirm", roles: bedWriters, handler: s.confirmBeds},
		{method: "POST", path: "/api/v1/homes/:id/beds/adjust", roles: bedWriters, handler: s.adjustBed},
		{method: "PUT", path: "/api/v1/homes/:id/status", roles: bedWriters, handler: s.setStatus},
		{method: "PUT", path: "/api/v1/homes/:id/suspension", roles: editors, handler: s.setSuspension},
		{method: "GET", path: "/api/v1/homes/:id/history", roles: auditors, handler: s.history},

		{method: "GET", path: "/api/v1/push/vapid-public-key", roles: everyone, handler: s.vapidKey},
		{method: "GET", path: "/api/v1/push/subscriptions", roles: people, handler: s.listDevices},
		{method: "POST", path: "/api/v1/push/subscriptions", roles: people, handler: s.subscribe},
		{method: "DELETE", path: "/api/v1/push/subscriptions/:id", roles: people, handler: s.unsubscribe},
		{method: "GET", path: "/api/v1/alerts", roles: alertees, handler: s.listAlerts},
		{method: "POST", path: "/api/v1/alerts", roles: alertees, handler: s.createAlert},
		{method: "PUT", path: "/api/v1/alerts/:id", roles: alertees, handler: s.updateAlert},
		{method: "DELETE", path: "/api/v1/alerts/:id", roles: alertees, handler: s.deleteAlert},
		{method: "GET", path: "/api/v1/webhooks", roles: systems, handler: s.listWebhooks},
		{method: "POST", path: "/api/v1/webhooks", roles: systems, handler: s.createWebhook},
		{method: "DELETE", path: "/api/v1/webhooks/:id", roles: systems, handler: s.deleteWebhook},
		{method: "GET", path: "/api/v1/webhooks/:id/deliveries", roles: systems, handler: s.webhookDeliveries},
		{method: "POST", path: "/api/v1/webhooks/:id/test", roles: systems, handler: s.testWebhook},
		{method: "GET", path: "/api/v1/deliveries", roles: admins, handler: s.deliveries},

		{method: "GET", path: "/api/v1/vacancies", roles: readers, handler: s.vacancies},
		{method: "GET", path: "/api/v1/changes", roles: readers, handler: s.changes},
		{method: "GET", path: "/api/v1/snapshot", roles: readers, handler: s.snapshotJSON},
		{method: "GET", path: "/api/v1/snapshot.csv", roles: readers, handler: s.snapshotCSV},
	}
}
