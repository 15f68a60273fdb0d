"""Flask blueprints of the endpoint, one module per area; `ozgkg.web.app` assembles them."""
