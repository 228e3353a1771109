// Package winconsole lets the packaged Windows program, which is linked as a
// GUI program (-H windowsgui: no console window opens when it is
// double-clicked), still print its terminal commands' output in the console
// it was typed in. Elsewhere it does nothing.
package winconsole
