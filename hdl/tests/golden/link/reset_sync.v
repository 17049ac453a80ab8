

module t_reset_sync(clock,rst_in,reset);
    
    // Module arguments
    input wire  clock;
    input wire  rst_in;
    output reg  reset;
    
    // Stub signals
    reg  sync1$d;
    wire  sync1$q;
    reg  sync1$clock;
    reg  sync2$d;
    wire  sync2$q;
    reg  sync2$clock;
    reg  [3:0] count$d;
    wire  [3:0] count$q;
    reg  count$clock;
    reg  done$d;
    wire  done$q;
    reg  done$clock;
    
    // Sub module instances
    t_reset_sync$sync1 sync1(
        .d(sync1$d),
        .q(sync1$q),
        .clock(sync1$clock)
    );
    t_reset_sync$sync2 sync2(
        .d(sync2$d),
        .q(sync2$q),
        .clock(sync2$clock)
    );
    t_reset_sync$count count(
        .d(count$d),
        .q(count$q),
        .clock(count$clock)
    );
    t_reset_sync$done done(
        .d(done$d),
        .q(done$q),
        .clock(done$clock)
    );
    
    // Update code
    always @(*) begin
        sync1$clock = clock;
        sync2$clock = clock;
        count$clock = clock;
        done$clock = clock;
        sync1$d = sync1$q;
        sync2$d = sync2$q;
        count$d = count$q;
        done$d = done$q;
        sync1$d = rst_in;
        sync2$d = sync1$q;
        if (~done$q) begin
            count$d = count$q + 32'h1;
            if (count$q == 32'hf) begin
                done$d = 1'b1;
            end
        end
        reset = ~done$q | sync2$q;
    end
    
endmodule // t_reset_sync


module t_reset_sync$count(d,q,clock);
    
    // Module arguments
    input wire  [3:0] d;
    output reg  [3:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 4'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_reset_sync$count


module t_reset_sync$done(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_reset_sync$done


module t_reset_sync$sync1(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_reset_sync$sync1


module t_reset_sync$sync2(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_reset_sync$sync2
