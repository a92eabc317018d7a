"""The path engine: what a learner still needs for a qualification, why, in which order, until when.

Modules, each with one job: `record` (the learner's side of the input), `catalog` (the
registry's side), `standing` (what holds for the learner on a date), `gap` (what one
qualification still asks), `hours` (hours arithmetic and the default pace), `plan` (study order
and calendar), `results` (the values returned), `explain` (the sentences), `engine`
(`compute_path`, `rank_paths`), `achievements` (single questions about a record) and `speed`
(the speed tricks, labelled in one place).
"""
