<?xml version="1.0" encoding="utf-8"?>
<!-- Mentor Directory: how a browser shows a feed of ours, as a page that says what a feed is for. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:a="http://www.w3.org/2005/Atom">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
  <xsl:template match="/a:feed">
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="a:title"/></title>
        <link rel="stylesheet" href="/static/app.css"/>
        <link rel="icon" href="/static/icon.svg" type="image/svg+xml"/>
      </head>
      <body>
        <main id="main" class="wrap feed-page">
          <h1><xsl:value-of select="a:title"/></h1>
          <p class="notice">This is a feed: an address for Outlook, Teams, Slack or a feed reader, which then shows
            each program we add or change here. Copy this page’s address from the address bar into one of them.
            <a href="{a:link[@rel='alternate']/@href}">See these programs on the website</a>.</p>
          <p>Address of this feed: <code><xsl:value-of select="a:link[@rel='self']/@href"/></code></p>
          <h2>Newest changes first</h2>
          <ol class="hits">
            <xsl:for-each select="a:entry">
              <li class="hit">
                <h3><a href="{a:link/@href}"><xsl:value-of select="a:title"/></a></h3>
                <p class="snippet"><xsl:value-of select="a:summary"/></p>
                <p class="muted">Changed <xsl:value-of select="substring(a:updated, 1, 10)"/></p>
              </li>
            </xsl:for-each>
          </ol>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
