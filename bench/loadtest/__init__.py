"""The load test shared by ``bench/load.py`` (200 learners) and the suite (20 learners).

prepare   learners, content and an assignment in a migrated database
server    gunicorn with several workers on a free 127.0.0.1 port
swarm     the locust learners (run in their own process: locust monkey-patches with gevent)
pages     reading the site's pages: CSRF tokens, the quiz form, answers to send
checks    what must hold in the database afterwards
run       all of it in order, and the figures as a table
"""
