"""Reads every Next.js page under the inputs in Spark's executors and writes one record per
page (next_rsc.spark: the columns, and why the driver lists the files itself). It lives
apart from the package's sources, so that the installed package is the one imported.

    spark-submit --master local[2] python/jobs/spark_job.py site/out crawl.warc.gz --out pages.parquet
    spark-submit --master yarn --conf spark.archives=next-rsc-env.tar.gz#env \\
        --conf spark.pyspark.python=./env/bin/python python/jobs/spark_job.py hdfs:///crawl --out hdfs:///pages

Exit status: 0 when every input was a page, 1 when some were not (their records say why),
2 when the records do not account for every input file.
"""

import sys

from next_rsc.spark import main

if __name__ == "__main__":
    sys.exit(main())
