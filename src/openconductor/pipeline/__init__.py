"""The pipeline: a row of small stages; `builder.build_pipeline` fixes their order in one place."""
