"""Chapter 11 — the landscape: data, applications, the big players and the history, measured where
it can be. `learning_curve` (the same diffusion recipe on less data), `synthetic_data` (generated
digits for a low-data classifier), `compute` (this machine's FLOP/s and published training budgets),
`players` (who builds what, what is public), `timeline` (events with a widget), `myths` (myth -> what
is true -> source). Notebook 11."""
