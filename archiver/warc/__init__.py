"""WARC layer: build exchanges from Scrapy, write rotated WARC files, read and check them."""
