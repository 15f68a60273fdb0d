"""Flask blueprints of the endpoint, one module per area; `ozgkg.app` assembles them."""
