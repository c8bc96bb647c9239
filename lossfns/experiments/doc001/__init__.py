"""Document 001 (Phuong & Zung, "On the dynamics of loss functions"): :mod:`.theory` (the toy
model of Sec. 4), :mod:`.protocols` (the experiments of the notebooks ``001-*``) and
:mod:`.plots` (figures)."""
