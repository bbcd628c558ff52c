"""Permission-aware full-text search (Russian and English) over cases, incidents, evidence and persons.

Who calls what:

- the other apps: ``search.indexing.index_on_commit(obj)``, ``remove_on_commit(obj)``,
  ``case_access_changed_on_commit(case)`` inside their write transactions;
- pages and the API: ``search.service.search_params(querydict)`` then ``search.service.search(user, params)``;
- operators: ``manage.py rebuild_index [--backend whoosh|postgres] [--check]``.

Inside: ``documents`` (what each model contributes), ``text`` (analyzer, query language, highlighter),
``access`` (the caller's permissions as index tokens, and the database re-check of every hit, through
``cases.permissions`` and ``evidence.permissions``), ``backends`` (``whoosh``, the default, and ``postgres``,
behind ``backends.base.SearchBackend``; chosen by ``settings.DOCKET_SEARCH_BACKEND``). No other app imports
whoosh or a backend.
"""
