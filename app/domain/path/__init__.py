"""The path engine: what a learner still needs for a qualification, why, in which order and until when."""
