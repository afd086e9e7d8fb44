package assets

import "embed"

// DCCRules is PassDesk's built-in rule set for HC1 passes (EU Digital COVID
// Certificates): CertLogic rules in the EU Gateway's rule.json format, one
// folder per rule under DCCRulesDir, equivalent to the EU's common
// acceptance (complete primary course or booster, test ages, the recovery
// window). A kiosk uses it when no rule files are configured. Each rule's
// tests sit beside it in tests/ and are not embedded.
//
//go:embed dccrules/*/rule.json
var DCCRules embed.FS

// DCCRulesDir is the folder inside DCCRules.
const DCCRulesDir = "dccrules"
