"""`cpw serve`: a read-only web view of the store for auditors and managers.

An entry point like `cli/`: pages call the Reads API and the reports, never write, and are
imported only by `cpw serve`, so other commands start without Starlette or Jinja2.
`app.create_app` builds the ASGI app; `serving.run` starts it under uvicorn.
"""
