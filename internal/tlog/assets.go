package tlog

import _ "embed"

// VerifierScript is verify.js, the in-browser inclusion check, for the web
// layer to serve.
//
//go:embed verify.js
var VerifierScript []byte
