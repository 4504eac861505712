"""Generic notebook execution: nothing here imports a module about reports or figures.

A pool of Jupyter kernels (:mod:`~toolkit.kernels.pool`) forked from a zygote that has
imported what the caller asked it to preload (:mod:`~toolkit.kernels.zygote`), a fast
readiness check (:mod:`~toolkit.kernels.ready`), papermill's engine on a pooled kernel
(:mod:`~toolkit.kernels.execute`), the seam a fake engine plugs into
(:mod:`~toolkit.kernels.engine`), what the caller asks the kernels to preload
(:mod:`~toolkit.kernels.preload`), work run in a zygote child (:mod:`~toolkit.kernels.offload`)
and the staging folder swapped in only on success (:mod:`~toolkit.kernels.staging`).
"""
