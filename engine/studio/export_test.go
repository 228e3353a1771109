package studio

// HostOfForTest exposes hostOf to the external test package.
var HostOfForTest = hostOf
